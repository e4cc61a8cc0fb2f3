// Ranking's own Prometheus series, next to the kit's RPC metrics in the app's registry.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { UserFeaturesOutcome } from './user-features/user-features-cache.js';

export class RankingMetrics {
  private readonly userFeatures: Counter<'outcome'>;
  private readonly reloads: Counter<'outcome'>;
  private readonly modelInfo: Gauge<'version'>;

  constructor(registry: Registry) {
    this.userFeatures = new Counter({
      name: 'ranking_user_features_total',
      help: 'User feature lookups by outcome; timeout and error mean the request was scored without them (fail-open).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.reloads = new Counter({
      name: 'ranking_model_reloads_total',
      help: 'Model file changes seen, by outcome (loaded, or rejected and the previous model kept).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.modelInfo = new Gauge({
      name: 'ranking_model_info',
      help: 'The model version serving requests (value 1).',
      labelNames: ['version'],
      registers: [registry],
    });
  }

  userFeaturesLoaded(outcome: UserFeaturesOutcome): void {
    this.userFeatures.labels(outcome).inc();
  }

  modelReloaded(outcome: 'loaded' | 'rejected'): void {
    this.reloads.labels(outcome).inc();
  }

  modelServing(version: string): void {
    this.modelInfo.reset();
    this.modelInfo.labels(version).set(1);
  }
}
