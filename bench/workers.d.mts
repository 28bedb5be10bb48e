/** Types of workers.mjs (used by the Node tests that run the built bundle, test/node/two-isolates.test.ts). */
export interface Gateways {
  mf: { dispose(): Promise<void> };
  urls: string[];
}
export function startGateways(opts: { config: string; masterKey: string; count?: number; dist?: string; bindings?: Record<string, string>; inspectorPort?: number }): Promise<Gateways>;
export function startGateway(opts: { config: string; masterKey: string }): Promise<{ mf: { dispose(): Promise<void> }; url: string; pid: number | undefined }>;
export function startBare(upstreamUrl: string, script?: string): Promise<{ mf: { dispose(): Promise<void> }; url: string; pid: number | undefined }>;
export function workerdPids(): number[];
export function cpuMicros(pid: number): number;
