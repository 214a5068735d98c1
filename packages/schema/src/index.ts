export * from "./enums.js";
export * from "./rules.js";
export * from "./day.js";
export * from "./issues.js";
export * from "./event.js";
export { parseEventBatch, parseEvent, wireJsonSchema, type ParseResult } from "./validate.js";
export * from "./patterns.js";
export * from "./config.js";
export * from "./anonymize.js";
