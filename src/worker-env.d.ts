// Tells the `cloudflare:workers` module (env, exports) what this Worker's bindings and exports are.
declare namespace Cloudflare {
  interface Env extends import("./env").Env {}
  interface GlobalProps {
    mainModule: typeof import("./index");
    durableNamespaces: "KeyGuard" | "DeploymentGuard";
  }
}
