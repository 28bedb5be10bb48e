// Tests read many JSON bodies of known shape: let `res.json()` be untyped here (src stays strict).
interface Response {
  json<T = any>(): Promise<T>;
}
