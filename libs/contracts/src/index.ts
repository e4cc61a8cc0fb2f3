// Generated protobuf-es code for every feedmesh contract, plus the file list servers use for
// gRPC reflection. Regenerate with `npm run proto:generate`; never edit src/gen by hand.
import type { DescFile } from '@bufbuild/protobuf';
import { file_feedmesh_common_v1_common } from './gen/feedmesh/common/v1/common_pb.js';
import { file_feedmesh_feed_v1_feed } from './gen/feedmesh/feed/v1/feed_pb.js';
import { file_feedmesh_ingest_v1_ingest } from './gen/feedmesh/ingest/v1/ingest_pb.js';
import { file_feedmesh_ranking_v1_ranking } from './gen/feedmesh/ranking/v1/ranking_pb.js';
import { file_feedmesh_recall_v1_recall } from './gen/feedmesh/recall/v1/recall_pb.js';
import { file_feedmesh_render_v1_render } from './gen/feedmesh/render/v1/render_pb.js';

export * from './gen/feedmesh/common/v1/common_pb.js';
export * from './gen/feedmesh/feed/v1/feed_pb.js';
export * from './gen/feedmesh/ingest/v1/ingest_pb.js';
export * from './gen/feedmesh/ranking/v1/ranking_pb.js';
export * from './gen/feedmesh/recall/v1/recall_pb.js';
export * from './gen/feedmesh/render/v1/render_pb.js';

/** Every feedmesh proto file, for reflection and descriptor sets. */
export const contractFiles: readonly DescFile[] = [
  file_feedmesh_common_v1_common,
  file_feedmesh_recall_v1_recall,
  file_feedmesh_ranking_v1_ranking,
  file_feedmesh_render_v1_render,
  file_feedmesh_feed_v1_feed,
  file_feedmesh_ingest_v1_ingest,
];
