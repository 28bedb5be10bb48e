import { invalidRequest } from "../../http/errors";
import type { ChatRequest } from "../../api/chat";
import type { AdapterContext } from "../types";
import type { ThinkingConfig } from "./types";

type Effort = NonNullable<ChatRequest["reasoning_effort"]>;

interface ModelFamily {
  /** Gemini 3 on: `thinkingLevel`; 2.5: `thinkingBudget`; older models do not think. */
  kind: "level" | "budget" | "none";
  flash: boolean;
  lite: boolean;
  /** 3.1 and later Pro models take `medium`. */
  minor: number;
}

function family(model: string): ModelFamily {
  const m = /gemini-(\d+)(?:\.(\d+))?/.exec(model);
  const flash = /flash/.test(model);
  const lite = /lite/.test(model);
  // A name without a version (an alias such as gemini-flash-latest): thinkingBudget, which every thinking model takes.
  if (!m) return { kind: "budget", flash, lite, minor: 0 };
  const major = Number(m[1]);
  const minor = Number(m[2] ?? 0);
  const kind = major >= 3 ? "level" : major === 2 && minor >= 5 ? "budget" : "none";
  return { kind, flash, lite, minor };
}

/** Token budgets for Gemini 2.5 (Pro takes 128-32768 and cannot turn thinking off; Flash up to 24576). */
const BUDGET: Record<Exclude<Effort, "none">, number> = { minimal: 512, low: 1024, medium: 8192, high: 24576, xhigh: 32768 };

function cannotDisable(model: string, ctx: AdapterContext): undefined {
  if (ctx.dropParams) return undefined;
  throw invalidRequest(
    `gemini model '${model}' cannot turn thinking off, so 'reasoning_effort: none' cannot be honoured. Use 'minimal' or 'low', or set drop_params: true to drop it.`,
    "reasoning_effort",
  );
}

/**
 * reasoning_effort as Gemini's thinkingConfig: `thinkingLevel` on Gemini 3 (Flash: minimal, low,
 * medium, high; Pro: low, high, and medium from 3.1), `thinkingBudget` on 2.5; thoughts are asked
 * for (`includeThoughts`) so they come back as reasoning_content. `none` turns thinking off where
 * the model can (2.5 Flash: budget 0; Gemini 3 Flash: `minimal`), and is a 400 where it cannot.
 */
export function thinkingConfig(req: ChatRequest, model: string, ctx: AdapterContext): ThinkingConfig | undefined {
  const effort = req.reasoning_effort;
  if (!effort) return undefined;
  const f = family(model);
  if (f.kind === "none") {
    if (ctx.dropParams || effort === "none") return undefined;
    throw invalidRequest(`The parameter 'reasoning_effort' is not supported by gemini model '${model}' (it does not think). Remove it, or set drop_params: true to drop it.`, "reasoning_effort");
  }
  if (f.kind === "level") {
    if (effort === "none") return f.flash ? { thinkingLevel: "minimal" } : cannotDisable(model, ctx);
    const medium = f.flash || f.minor >= 1;
    const level = effort === "minimal" ? (f.flash ? "minimal" : "low") : effort === "low" ? "low" : effort === "medium" ? (medium ? "medium" : "high") : "high";
    return { thinkingLevel: level, includeThoughts: true };
  }
  if (effort === "none") return f.flash ? { thinkingBudget: 0 } : cannotDisable(model, ctx);
  const max = f.flash ? 24576 : 32768;
  const min = f.lite ? 512 : 128;
  return { thinkingBudget: Math.max(min, Math.min(max, BUDGET[effort])), includeThoughts: true };
}
