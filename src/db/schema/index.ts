/** The D1 schema, one file per concept; drizzle.config.ts points drizzle-kit at this folder. */
export * from "./keys";
export * from "./teams";
export * from "./users";
export * from "./organizations";
export * from "./end-users";
export * from "./spend";
export * from "./dead-letters";
export * from "./observability";
export * from "./models";
export * from "./files";
export * from "./batches";
export * from "./cache";
