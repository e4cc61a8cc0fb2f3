/** What the session-level filters know about the paging session being served. */
export interface SessionFilterContext {
  /** Item ids already served in this session. */
  served: ReadonlySet<string>;
  /** Items created after this instant (Unix ms) are not part of the session. */
  snapshotMs: number;
}
