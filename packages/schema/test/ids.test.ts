import { describe, expect, it } from "vitest";
import { deploymentIdFromSalt } from "../src/index.js";

describe("deploymentIdFromSalt", () => {
  it("is hex SHA-256 of the UTF-8 salt (golden values)", () => {
    expect(deploymentIdFromSalt("test-salt-value")).toBe(
      "1d69683e08a545517203f3eac4e8d08af6e230ea4e7a8dd940ec207b225c67d6",
    );
    expect(deploymentIdFromSalt("salt")).toBe(
      "63479ad69a090b258277ec8fba6f99419a2ffb248981510657c944ccd1148e97",
    );
  });

  it("hashes non-ASCII salts as UTF-8", () => {
    expect(deploymentIdFromSalt("sel-de-mer-é-ü-漢字")).toMatch(/^[0-9a-f]{64}$/);
    expect(deploymentIdFromSalt("é")).not.toBe(deploymentIdFromSalt("e"));
  });
});
