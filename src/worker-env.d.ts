// Tells the `cloudflare:workers` module (env, exports) what this Worker's bindings and exports are.
type SwitchyardEnv = import("./env").Env;

declare namespace Cloudflare {
  interface Env extends SwitchyardEnv {}
  interface GlobalProps {
    mainModule: typeof import("./index");
    durableNamespaces: "KeyGuard" | "DeploymentGuard";
  }
}
