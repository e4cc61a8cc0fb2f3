/** One monotonic time base (ms) for calls, faults and readiness, so their times compare directly. */
export const now = (): number => performance.now();

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
