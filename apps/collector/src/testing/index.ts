// @synthorg/collector/testing: the naive reference and comparisons for end-to-end and fault tests.
export { naivePatterns, naiveRecommendations } from "./naive.js";
export { DEFAULT_TOLERANCE, ROUNDED_TOLERANCE, diffPatterns, diffRecommendations } from "./compare.js";
