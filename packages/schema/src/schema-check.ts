// A validator compiled from the JSON Schema that z.toJSONSchema writes for the wire objects
// (wireJsonSchema in validate.ts), so the rules keep one source: the zod schemas in event.ts.
// It knows only the keywords that schema uses and throws while compiling on any other, so a schema
// change it does not understand fails at import (and in every test) instead of being skipped.
//
// Built for the ingest hot path (pnpm bench, case 3): keys are matched by comparison against the
// order the previous object used, `uniqueItems` of a string enum is a bit mask, and strings that
// passed a costly check (pattern, format, length) are remembered for the rest of the call, since a
// batch repeats its deployment id, SDK version, industry tag, days and rule names event after event.
//
// Its "yes" must mean zod's "yes" with zod's output (defaults are filled in place); where it cannot
// be sure cheaply — an object whose prototype is not Object.prototype or null, a declared key that is
// not an own enumerable property, enumerable keys on Object.prototype — it answers "no" and the
// caller asks zod, which then decides.

type SchemaNode = Readonly<Record<string, unknown>>;
export type Check = (value: unknown) => boolean;
type StringTest = (value: string) => boolean;

export interface CheckOptions {
  /** `format` name → predicate. */
  readonly formats: Readonly<Record<string, StringTest>>;
  /**
   * Remember, for the rest of one call, the strings that passed a costly check. Pays for a batch of
   * many similar events; for a single event it is pure overhead.
   */
  readonly rememberStrings: boolean;
}

/** Distinct remembered strings per checked field and call: bounds the memory an odd batch can pin. */
export const REMEMBERED_STRINGS_LIMIT = 256;
/** Remembered strings per checked field kept in a list, compared one by one before any hashing. */
const RECENT_STRINGS = 8;
/** Declared keys per object are tracked in one 32-bit mask. */
const MAX_OBJECT_KEYS = 31;
/** Keywords with no effect on the verdict. */
const ANNOTATIONS = ["$schema", "default", "description", "title"] as const;

interface Compiler {
  readonly options: CheckOptions;
  /** Forget-what-passed callbacks of the remembered string checks. */
  readonly resets: (() => void)[];
}

/** Compile `schema`; the returned check starts from a clean slate (nothing remembered) on every call. */
export function compileCheck(schema: SchemaNode, options: CheckOptions): Check {
  const compiler: Compiler = { options, resets: [] };
  const root = compileNode(schema, compiler, "#");
  const { resets } = compiler;
  return (value) => {
    for (const reset of resets) reset();
    // for…in lists inherited enumerable keys too: a declared one would pass here although the
    // object does not own it, as zod's output would. Leave such a polluted environment to zod.
    if (Object.keys(Object.prototype).length > 0) return false;
    return root(value);
  };
}

function compileNode(node: SchemaNode, compiler: Compiler, at: string): Check {
  if (node.oneOf !== undefined) return discriminatedUnion(node, compiler, at);
  if (node.anyOf !== undefined) return union(node, compiler, at);
  switch (node.type) {
    case "object":
      return objectCheck(node, compiler, at);
    case "array":
      return arrayCheck(node, compiler, at);
    case "string":
      return stringCheck(node, compiler, at);
    case "number":
      return numberCheck(node, at);
    case "null":
      expectOnly(node, ["type"], at);
      return (value) => value === null;
    default:
      throw unsupported(at, `type ${JSON.stringify(node.type)}`);
  }
}

function unsupported(at: string, what: string): Error {
  return new Error(`schema-check: unsupported ${what} at ${at}`);
}

function expectOnly(node: SchemaNode, keywords: readonly string[], at: string): void {
  for (const key of Object.keys(node)) {
    if (!keywords.includes(key) && !(ANNOTATIONS as readonly string[]).includes(key)) {
      throw unsupported(at, `keyword "${key}"`);
    }
  }
}

function asNode(value: unknown, at: string): SchemaNode {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw unsupported(at, "subschema");
  return value as SchemaNode;
}

function asNodes(value: unknown, at: string): SchemaNode[] {
  if (!Array.isArray(value)) throw unsupported(at, "subschema list");
  return value.map((item, i) => asNode(item, `${at}/${i}`));
}

function optionalNumber(node: SchemaNode, keyword: string, at: string): number | undefined {
  const value = node[keyword];
  if (value !== undefined && typeof value !== "number") throw unsupported(at, `${keyword} value`);
  return value;
}

/** A plain data object, as JSON.parse makes them; anything more exotic is left to zod. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** What to store for an absent key with a `default` (a fresh copy each time for objects). */
function defaultMaker(node: SchemaNode): (() => unknown) | undefined {
  if (!("default" in node)) return undefined;
  const value = node.default;
  if (typeof value !== "object" || value === null) return () => value;
  const text = JSON.stringify(value);
  return () => JSON.parse(text) as unknown;
}

function objectCheck(node: SchemaNode, compiler: Compiler, at: string): Check {
  expectOnly(node, ["type", "properties", "required", "additionalProperties"], at);
  if (node.additionalProperties !== false)
    throw unsupported(at, "object without additionalProperties: false");
  const properties = asNode(node.properties, `${at}/properties`);
  const keys = Object.keys(properties);
  if (keys.length > MAX_OBJECT_KEYS) throw unsupported(at, `object with more than ${MAX_OBJECT_KEYS} keys`);
  const propertyNodes = keys.map((key) => asNode(properties[key], `${at}/properties/${key}`));
  const checks = propertyNodes.map((property, i) =>
    compileNode(property, compiler, `${at}/properties/${keys[i]}`),
  );
  const defaults = propertyNodes.map(defaultMaker);
  const required: unknown = node.required ?? [];
  if (!Array.isArray(required)) throw unsupported(at, "required");
  const isRequired = keys.map((key) => required.includes(key));
  const indexOf = new Map(keys.map((key, i) => [key, i]));
  const allSeen = 2 ** keys.length - 1;
  // The key order of the previous object checked here: a sender writes every object the same way,
  // so matching a key is usually one comparison of two internalised strings.
  const lastOrder = Int32Array.from(keys, (_, i) => i);

  /** A declared key that is absent or undefined: fill its default, or accept it if optional. */
  const absent = (value: Record<string, unknown>, index: number): boolean => {
    const makeDefault = defaults[index];
    if (makeDefault !== undefined) value[keys[index]!] = makeDefault();
    return makeDefault !== undefined || !isRequired[index];
  };

  return (value) => {
    if (!isPlainObject(value)) return false;
    let seen = 0;
    let position = 0;
    for (const key in value) {
      let index = position < lastOrder.length ? lastOrder[position]! : -1;
      if (keys[index] !== key) {
        index = indexOf.get(key) ?? -1;
        if (index < 0) return false; // an unknown key, "__proto__" and "constructor" included
        if (position < lastOrder.length) lastOrder[position] = index;
      }
      const item = value[key];
      if (item === undefined ? !absent(value, index) : !checks[index]!(item)) return false;
      seen |= 1 << index;
      position++;
    }
    if (seen === allSeen) return true;
    for (let index = 0; index < keys.length; index++) {
      if ((seen & (1 << index)) !== 0) continue;
      // Not listed by for…in, yet readable (non-enumerable or inherited): zod would read it.
      if (value[keys[index]!] !== undefined) return false;
      if (!absent(value, index)) return false;
    }
    return true;
  };
}

function arrayCheck(node: SchemaNode, compiler: Compiler, at: string): Check {
  expectOnly(node, ["type", "items", "minItems", "maxItems", "uniqueItems"], at);
  const minItems = optionalNumber(node, "minItems", at) ?? 0;
  const maxItems = optionalNumber(node, "maxItems", at) ?? Infinity;
  const itemsAt = `${at}/items`;
  const items = asNode(node.items, itemsAt);
  const sized = (value: unknown): value is unknown[] =>
    Array.isArray(value) && value.length >= minItems && value.length <= maxItems;
  if (node.uniqueItems === true) {
    // Unique values of a string enum: one bit per enum member, no allocation.
    expectOnly(items, ["type", "enum"], itemsAt);
    const members = items.enum;
    if (items.type !== "string" || !Array.isArray(members) || members.length > MAX_OBJECT_KEYS) {
      throw unsupported(itemsAt, "uniqueItems over anything but a string enum");
    }
    return (value) => {
      if (!sized(value)) return false;
      let taken = 0;
      for (let i = 0; i < value.length; i++) {
        const member = members.indexOf(value[i]);
        if (member < 0 || (taken & (1 << member)) !== 0) return false;
        taken |= 1 << member;
      }
      return true;
    };
  }
  if (node.uniqueItems !== undefined && node.uniqueItems !== false)
    throw unsupported(at, "uniqueItems value");
  const check = compileNode(items, compiler, itemsAt);
  return (value) => {
    if (!sized(value)) return false;
    for (let i = 0; i < value.length; i++) if (!check(value[i])) return false;
    return true;
  };
}

/** `oneOf` whose branches are objects told apart by a string constant (zod's discriminatedUnion). */
function discriminatedUnion(node: SchemaNode, compiler: Compiler, at: string): Check {
  expectOnly(node, ["oneOf", "type", "discriminator"], at);
  const property = node.discriminator === undefined ? undefined : asNode(node.discriminator, at).propertyName;
  if (node.type !== "object" || typeof property !== "string")
    throw unsupported(at, "oneOf without a discriminator");
  // Two or three tags: comparing is cheaper than hashing the fresh tag string for a Map lookup.
  const tags: string[] = [];
  const branches: Check[] = [];
  asNodes(node.oneOf, `${at}/oneOf`).forEach((branch, i) => {
    const branchAt = `${at}/oneOf/${i}`;
    const tag = asNode(asNode(branch.properties, branchAt)[property], branchAt).const;
    if (typeof tag !== "string" || tags.includes(tag)) throw unsupported(branchAt, "discriminator value");
    tags.push(tag);
    branches.push(compileNode(branch, compiler, branchAt));
  });
  return (value) => {
    if (!isPlainObject(value)) return false;
    const branch = tags.indexOf(value[property] as string);
    return branch >= 0 && branches[branch]!(value);
  };
}

/** `anyOf` (zod's nullable and unions); tried in order, `null` first. */
function union(node: SchemaNode, compiler: Compiler, at: string): Check {
  expectOnly(node, ["anyOf"], at);
  const branchNodes = asNodes(node.anyOf, `${at}/anyOf`);
  for (const branch of branchNodes) {
    if (Object.keys(branch).some((key) => key === "default")) throw unsupported(at, "default inside anyOf");
  }
  const allowsNull = branchNodes.some((branch) => branch.type === "null" && Object.keys(branch).length === 1);
  const checks = branchNodes
    .map((branch, i) => ({ branch, check: compileNode(branch, compiler, `${at}/anyOf/${i}`) }))
    .filter(({ branch }) => !(allowsNull && branch.type === "null" && Object.keys(branch).length === 1))
    .map(({ check }) => check);
  const only = checks.length === 1 ? checks[0] : undefined;
  if (only !== undefined) return allowsNull ? (value) => value === null || only(value) : only;
  return (value) => (allowsNull && value === null) || checks.some((check) => check(value));
}

function numberCheck(node: SchemaNode, at: string): Check {
  expectOnly(node, ["type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"], at);
  const minimum = optionalNumber(node, "minimum", at) ?? -Infinity;
  const maximum = optionalNumber(node, "maximum", at) ?? Infinity;
  const above = optionalNumber(node, "exclusiveMinimum", at) ?? -Infinity;
  const below = optionalNumber(node, "exclusiveMaximum", at) ?? Infinity;
  // zod's number is finite (no NaN or ±Infinity), as JSON's numbers are.
  return (value) =>
    typeof value === "number" &&
    Number.isFinite(value) &&
    value >= minimum &&
    value <= maximum &&
    value > above &&
    value < below;
}

/** Code points in `text`, a surrogate pair counting once (how zod and JSON Schema count length). */
export function codePointLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      length--;
      i++;
    }
  }
  return length;
}

function lengthTest(minLength: number, maxLength: number): StringTest {
  return (text) => {
    // Code points ≤ UTF-16 units ≤ 2 × code points: count only when the units leave it open.
    const units = text.length;
    if (units >= minLength && units <= maxLength) return true;
    if (units < minLength || units > 2 * maxLength) return false;
    const length = codePointLength(text);
    return length >= minLength && length <= maxLength;
  };
}

/** The costly string keywords of `node` (and of its `allOf` parts), cheapest first. */
function stringTests(node: SchemaNode, compiler: Compiler, at: string): StringTest[] {
  const tests: StringTest[] = [];
  const minLength = optionalNumber(node, "minLength", at);
  const maxLength = optionalNumber(node, "maxLength", at);
  if (minLength !== undefined || maxLength !== undefined)
    tests.push(lengthTest(minLength ?? 0, maxLength ?? Infinity));
  if (node.format !== undefined) {
    const format = typeof node.format === "string" ? compiler.options.formats[node.format] : undefined;
    if (format === undefined) throw unsupported(at, `format ${JSON.stringify(node.format)}`);
    tests.push(format);
  }
  if (node.pattern !== undefined) {
    if (typeof node.pattern !== "string") throw unsupported(at, "pattern value");
    // No `u` flag: zod's regexes run without it, so must these.
    const pattern = new RegExp(node.pattern);
    tests.push((text) => pattern.test(text));
  }
  if (node.allOf !== undefined) {
    asNodes(node.allOf, `${at}/allOf`).forEach((part, i) => {
      const partAt = `${at}/allOf/${i}`;
      expectOnly(part, ["minLength", "maxLength", "format", "pattern", "allOf"], partAt);
      tests.push(...stringTests(part, compiler, partAt));
    });
  }
  return tests;
}

/**
 * `test`, answering at once for the strings it already passed since the call began. The first few
 * are kept in a list: comparing a fresh string with an equal one is one pass over its characters
 * and with a different one usually stops at the length or the first characters, whereas a Set
 * lookup first hashes the whole fresh string (a 64-character id costs about what the regex does).
 */
function remembered(test: StringTest, compiler: Compiler): StringTest {
  let last: string | undefined;
  let recent: string[] = [];
  const passed = new Set<string>();
  compiler.resets.push(() => {
    last = undefined;
    if (recent.length > 0) recent = [];
    if (passed.size > 0) passed.clear();
  });
  return (text) => {
    if (text === last) return true;
    if (recent.includes(text) || passed.has(text)) {
      last = text;
      return true;
    }
    if (!test(text)) return false;
    if (recent.length < RECENT_STRINGS) recent.push(text);
    else if (passed.size < REMEMBERED_STRINGS_LIMIT) passed.add(text);
    last = text;
    return true;
  };
}

function stringCheck(node: SchemaNode, compiler: Compiler, at: string): Check {
  expectOnly(node, ["type", "const", "enum", "minLength", "maxLength", "format", "pattern", "allOf"], at);
  const members: unknown = "const" in node ? [node.const] : node.enum;
  if (members !== undefined && !Array.isArray(members)) throw unsupported(at, "enum value");
  const tests = stringTests(node, compiler, at);
  const all: StringTest | undefined =
    tests.length === 0
      ? undefined
      : tests.length === 1
        ? tests[0]
        : (text) => {
            for (const test of tests) if (!test(text)) return false;
            return true;
          };
  const costly = all !== undefined && compiler.options.rememberStrings ? remembered(all, compiler) : all;
  if (members === undefined)
    return (value) => typeof value === "string" && (costly === undefined || costly(value));
  return (value) =>
    typeof value === "string" && members.includes(value) && (costly === undefined || costly(value));
}
