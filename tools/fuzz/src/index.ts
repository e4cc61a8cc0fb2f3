export { contractServices, fuzzTargets, type FuzzTarget, type Protocol } from './fuzz-targets.js';
export { fuzzMethod, formatReport, describeCase, type FuzzOptions, type FuzzReport } from './run-fuzz.js';
export { propertyNames, type PropertyName } from './judge.js';
export { examplesByType, withGenericValues, type ValuePool } from './value-pool.js';
export type { ShapeContext } from './message-arbitrary.js';
export { fuzzSettings, type FuzzSettings } from './fuzz-settings.js';
export { GrpcSender } from './grpc-sender.js';
export { ConnectSender } from './connect-sender.js';
export { printAnswer, type Answer } from './answer.js';
