import { afterAll, describe, expect, it } from "vitest";
import { PythonRunner } from "./harness.js";

/**
 * The PantherEvent stand-in (src/import/panther/python/panther_event.py) behaves as Panther's event:
 * these are the behaviours the generated rules rely on, checked in Python.
 */

const py = new PythonRunner();
afterAll(() => py.close());

async function run(source: string): Promise<unknown> {
  const r = await py.exec(source);
  expect(r.error, source).toBeUndefined();
  return r.result;
}

describe("PantherEvent stand-in", () => {
  it("looks a key up exactly first, then by lower case (the first such key wins)", async () => {
    expect(await run(`e = PantherEvent({"eventName": 1, "eventname": 2, "EVENTNAME": 3})
result = [e.get("eventName"), e.get("eventname"), e.get("EVENTNAME"), e.get("EventName"), e.get("x")]`)).toEqual([1, 2, 3, 1, null]);
    expect(await run(`e = PantherEvent({"A": {"B": 1}})
result = [e.get("a").get("b"), e.deep_get("a", "b"), "a" in e, "b" in e]`)).toEqual([1, 1, true, false]);
  });

  it("hands nested objects over as read-only mappings and arrays as read-only sequences", async () => {
    expect(await run(`from collections.abc import Mapping, Sequence
e = PantherEvent({"o": {"k": [1, {"x": 2}]}})
o = e.get("o")
arr = o.get("k")
result = [isinstance(o, dict), isinstance(o, Mapping), isinstance(arr, list), isinstance(arr, Sequence),
          isinstance(arr[1], Mapping), arr[1].get("X"), [type(x).__name__ for x in arr]]`)).toEqual([
      false,
      true,
      false,
      true,
      true,
      2,
      ["int", "ImmutableCaseInsensitiveDict"],
    ]);
    expect(await run(`e = PantherEvent({"a": 1})
try:
    e["a"] = 2
    result = "mutable"
except TypeError:
    result = "read-only"`)).toBe("read-only");
  });

  it("deep_get returns the default for a missing key anywhere, a null value, or a non-mapping on the way", async () => {
    expect(await run(`e = PantherEvent({"a": {"b": None, "c": "s", "d": [{"e": 1}], "f": 0}})
result = [e.deep_get("a", "x", default="D"), e.deep_get("x", "y", default="D"), e.deep_get("a", "b", default="D"),
          e.deep_get("a", "c", "z", default="D"), e.deep_get("a", "d", "e", default="D"), e.deep_get("a", "f", default="D"),
          e.deep_get("A", "C")]`)).toEqual(["D", "D", "D", "D", "D", 0, "s"]);
  });

  it("deep_walk descends through arrays and returns all, the first or the last value", async () => {
    expect(await run(`e = PantherEvent({"r": [{"t": "a"}, {"t": "b"}, {"u": 1}, {"t": "a"}], "s": {"t": "x"}, "n": []})
result = [e.deep_walk("r", "t"), e.deep_walk("r", "t", return_val="first"), e.deep_walk("r", "t", return_val="last"),
          e.deep_walk("s", "t"), e.deep_walk("r", "zz", default="D"), e.deep_walk("n", default="D"),
          e.deep_walk("R", "t", default="case-sensitive")]`)).toEqual([["a", "b"], "a", "b", "x", "D", "D", "case-sensitive"]);
  });

  it("deep_walk merges equal values (so 1 and True collapse) and fails on object values inside arrays", async () => {
    expect(await run(`e = PantherEvent({"r": [{"v": 1}, {"v": True}, {"v": 1.0}]})
result = e.deep_walk("r", "v")`)).toBe(1);
    expect(await run(`e = PantherEvent({"r": [{"v": {"k": 1}}]})
try:
    e.deep_walk("r", "v")
    result = "ok"
except TypeError:
    result = "TypeError"`)).toBe("TypeError");
  });
});
