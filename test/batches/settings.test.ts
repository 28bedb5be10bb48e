import { describe, expect, it } from "vitest";
import { DEFAULT_BATCH_SETTINGS } from "../../src/config/batch-settings";
import { resolveConfig } from "../../src/config/resolve";

const withGeneral = (general: Record<string, unknown>) => resolveConfig({ model_list: [], general_settings: { master_key: "sk-0123456789abcdef0123456789abcdef", ...general } }, {});

describe("general_settings.batch_settings and max_file_size_mb", () => {
  it("are read, defaulted, and never reported as unsupported", () => {
    const none = withGeneral({});
    expect(none.settings.batch).toEqual(DEFAULT_BATCH_SETTINGS);
    expect(DEFAULT_BATCH_SETTINGS.maxFileBytes).toBe(100 * 1024 * 1024);
    const set = withGeneral({
      max_file_size_mb: 2.5,
      batch_settings: { pace_delay_seconds: 5, retry_delay_seconds: 0, max_line_attempts: 5, completion_window_seconds: 3600, concurrency: 4, native: "auto", native_poll_seconds: 30 },
    });
    expect(set.error).toBeUndefined();
    expect(set.settings.batch).toEqual({
      maxFileBytes: Math.floor(2.5 * 1024 * 1024),
      paceDelaySeconds: 5,
      retryDelaySeconds: 0,
      maxLineAttempts: 5,
      completionWindowSeconds: 3600,
      concurrency: 4,
      native: "auto",
      nativePollSeconds: 30,
    });
    expect(none.settings.batch.native).toBe("off");
    expect(set.unsupported.join(" ")).not.toMatch(/batch_settings|max_file_size_mb/);
  });

  it("a bad value or an unknown key is a config error naming it", () => {
    expect(withGeneral({ max_file_size_mb: 0 }).error).toBe("Invalid config at general_settings.max_file_size_mb: must be a positive number");
    expect(withGeneral({ batch_settings: { pace_delay_seconds: 0 } }).error).toBe("Invalid config at general_settings.batch_settings.pace_delay_seconds: must be a whole number from 1 to 3600");
    expect(withGeneral({ batch_settings: { max_line_attempts: 1.5 } }).error).toBe("Invalid config at general_settings.batch_settings.max_line_attempts: must be a whole number from 1 to 20");
    expect(withGeneral({ batch_settings: { poll_seconds: 3 } }).error).toContain("Invalid config at general_settings.batch_settings.poll_seconds: unknown setting");
    expect(withGeneral({ batch_settings: { native: false } }).settings.batch.native).toBe("off");
    expect(withGeneral({ batch_settings: { native: true } }).error).toBe("Invalid config at general_settings.batch_settings.native: must be one of off, on_request, auto");
    expect(withGeneral({ batch_settings: { native_poll_seconds: 0 } }).error).toBe("Invalid config at general_settings.batch_settings.native_poll_seconds: must be a whole number from 1 to 3600");
    expect(withGeneral({ batch_settings: [1] }).error).toContain("Invalid config at general_settings.batch_settings: must be a mapping");
  });
});
