// The fault suite's building blocks: the mesh on fixed ports, a Redis of its own, load that records every call.
export { FaultMesh, LEAVES, CURSOR_SECRET, type AppName, type FaultMeshOptions } from './fault-mesh.js';
export { startFaultEnvironment, SEEDED_USERS, type FaultEnvironment } from './fault-environment.js';
export { startRedisServer, type RedisServer } from './redis-server.js';
export { closedLoop, openLoop, type RunningLoad } from './load.js';
export { recordCall, codeName, type Call, type CallRecord, type CallResult } from './call-record.js';
export { describeCalls, endedBefore, inFlightAt, isHealthy, outcomeCounts, outcomeOf, percentile, recoveryAfter, startedBetween, type Recovery } from './call-analysis.js';
export { clientOf, firstPageCall, type FaultClient, type Protocol } from './clients.js';
export { readyzStatus, waitReady } from './readiness.js';
export { freePort } from './free-port.js';
export { now, sleep } from './clock.js';
export { WriteLedger } from './write-ledger.js';
export { tcpAccepts, watchListener, type ListenerWatch } from './listener-probe.js';
export { probeLiveness, type LivenessProbe } from './liveness-probe.js';
export { settle } from './settle.js';
export { alivePids, childPidsOf, freePortRun, startLauncher, type LauncherProcess } from './launcher-process.js';
export { copyKeysIntoCluster, startRedisCluster, type RedisCluster } from './redis-cluster.js';
