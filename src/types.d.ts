/** YAML files are bundled as text (see [[rules]] in wrangler.toml). */
declare module "*.yaml" {
  const text: string;
  export default text;
}
