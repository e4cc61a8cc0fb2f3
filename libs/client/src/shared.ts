// What both entry points export (nothing here may import a Node-only module).
export { renderable, toCard } from './cards.js';
export type { ArticleCard, Card, CardBase, CardKind, LiveCard, LiveCardStatus, VideoCard } from './cards.js';
export { createFeedmeshClientFromTransports } from './client.js';
export type { ClientEnvironment, FeedmeshClient, FeedmeshTransports } from './client.js';
export { createEngagementReporter } from './engagement-reporter.js';
export type { BatchResult, EngagementBatch, EngagementInput, EngagementKind, EngagementReporter, EngagementReporterOptions, LifecycleHook } from './engagement-reporter.js';
export { createFeed, toPage } from './feed.js';
export type { Feed, FeedPage, PagesOptions } from './feed.js';
export { createImpressionTracker } from './impressions.js';
export type { ImpressionTracker, ImpressionTrackerOptions } from './impressions.js';
export { authInterceptor, clientInterceptors, headersInterceptor } from './interceptors.js';
export type { AuthToken, InterceptorOptions } from './interceptors.js';
export { createRestartPolicy } from './restart-policy.js';
export type { RestartEvent, RestartPolicy } from './restart-policy.js';
export { lostAnswerCodes, retryLostAnswer } from './retry.js';
export type { RetryOptions } from './retry.js';
export { Code, ConnectError } from '@connectrpc/connect';
export type { Interceptor, Transport } from '@connectrpc/connect';
