import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/http/errors";
import { geminiSchema, MAX_SCHEMA_NODES } from "../../src/providers/gemini/schema";
import { refusal, user } from "../providers/gemini-helpers";

/** A schema whose definitions each reference the next one twice: 2^levels nodes once expanded. */
function doubling(levels: number): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  for (let i = 0; i < levels; i++) {
    defs[`d${i}`] = i === levels - 1 ? { type: "string" } : { type: "object", properties: { a: { $ref: `#/$defs/d${i + 1}` }, b: { $ref: `#/$defs/d${i + 1}` } } };
  }
  return { type: "object", properties: { root: { $ref: "#/$defs/d0" } }, $defs: defs };
}

const tool = (name: string, parameters: unknown) => ({ type: "function", function: { name, parameters } });

function count(node: unknown): number {
  if (!node || typeof node !== "object") return 0;
  let n = Array.isArray(node) ? 0 : 1;
  for (const v of Object.values(node)) n += count(v);
  return n;
}

describe("gemini tool schemas: $ref expansion is bounded", () => {
  it("a schema that doubles at each definition is a 400 naming the tool, answered at once", async () => {
    const started = Date.now();
    const err = await refusal({ messages: [user("Hi")], tools: [tool("fine", { type: "object", properties: { x: { type: "string" } } }), tool("bomb", doubling(22))] });
    expect(err.status).toBe(400);
    expect(err.param).toBe("tools[1].function.parameters");
    expect(err.message).toContain("bomb");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("thirty doubling levels (2^30 nodes unbounded) are refused just as fast", () => {
    const started = Date.now();
    expect(() => geminiSchema(doubling(30))).toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("a response_format schema over the bound is a 400 naming it (models that take Gemini's Schema object)", async () => {
    const err = await refusal({ messages: [user("Hi")], response_format: { type: "json_schema", json_schema: { name: "x", schema: doubling(22) } } }, "gemini-2.0-flash");
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.status).toBe(400);
    expect(err.param).toBe("response_format.json_schema.schema");
  });

  it("a definition used many times is expanded once and reused; small doubling schemas still translate", () => {
    const out = geminiSchema(doubling(6));
    const root = (out.properties as Record<string, Record<string, unknown>>).root!;
    const props = root.properties as Record<string, unknown>;
    expect(props.a).toEqual(props.b);
    expect(count(out)).toBeLessThan(MAX_SCHEMA_NODES);
  });

  it("self-recursive and mutually recursive references end as plain objects", () => {
    const self = geminiSchema({ $ref: "#/$defs/a", $defs: { a: { $ref: "#/$defs/a" } } });
    expect(self).toEqual({ type: "object" });
    const tree = geminiSchema({
      type: "object",
      properties: { node: { $ref: "#/$defs/node" } },
      $defs: { node: { type: "object", properties: { value: { type: "string" }, children: { type: "array", items: { $ref: "#/$defs/node" } } } } },
    });
    const node = (tree.properties as Record<string, Record<string, unknown>>).node!;
    expect((node.properties as Record<string, unknown>).value).toEqual({ type: "string" });
    expect((node.properties as Record<string, Record<string, unknown>>).children!.items).toEqual({ type: "object" });
  });
});

describe("gemini tool schemas: allOf and single-branch anyOf chains are bounded too", () => {
  function allOfDoubling(levels: number): Record<string, unknown> {
    const defs: Record<string, unknown> = {};
    for (let i = 0; i < levels; i++) {
      defs[`d${i}`] = i === levels - 1 ? { type: "object", properties: { x: { type: "string" } } } : { allOf: [{ $ref: `#/$defs/d${i + 1}` }, { $ref: `#/$defs/d${i + 1}` }] };
    }
    return { $ref: "#/$defs/d0", $defs: defs };
  }

  it("definitions that each merge the next twice through allOf are refused at once", () => {
    const started = Date.now();
    expect(() => geminiSchema(allOfDoubling(30))).toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("a short allOf chain still merges", () => {
    const out = geminiSchema(allOfDoubling(3));
    expect(out).toEqual({ type: "object", properties: { x: { type: "string" } } });
  });
});
