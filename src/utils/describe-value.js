// How a bad option value is shown in an error message (shared by option checks and Retry).
/** A value as an error message shows it: strings quoted, other primitives as they print. */
export function describeValue(value) {
    if (typeof value === "string")
        return JSON.stringify(value);
    if (value === null || typeof value !== "object")
        return String(value);
    return Array.isArray(value) ? "an array" : "an object";
}
