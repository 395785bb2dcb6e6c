// What a file's name and tags may be. The name is only ever metadata (the bytes live under a
// generated path), but names that look like paths or SQL are refused all the same.

export const FILE_NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}._ ()+-]{0,254}$/u;
export const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
export const MAX_TAGS = 20;

/** The problem with a file name, or null. */
export function fileNameProblem(name: string): string | null {
  if (!FILE_NAME_PATTERN.test(name)) {
    return "must be 1–255 letters, digits, spaces and . _ - + ( ), starting with a letter or digit";
  }
  if (name.includes("..")) return "may not contain \"..\"";
  return null;
}

export function tagProblem(tag: string): string | null {
  return TAG_PATTERN.test(tag) ? null : "tags are 1–64 letters, digits and _ . : -, starting with a letter or digit";
}
