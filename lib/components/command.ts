// A version's command, checked against the files of its archive at upload: a program the code
// folder must have is refused now, with its name, rather than failing every job later.
import path from "node:path";

/**
 * argv[0] is a program on the sandbox's PATH (`python3`, no slash) or a file of the code folder
 * (`./run.sh`, `bin/run`), which must be in the archive. Absolute paths are refused: the code folder
 * sits at another place on every worker, and system programs are found on PATH by name. When
 * argv[0] is a program, an argv[1] that looks like a script (`main.py`, `src/index.js`) must be in
 * the archive too. Returns the problem, or null.
 */
export function commandProblem(command: string[], files: readonly string[]): { field: string; message: string } | null {
  const [program, script] = command;
  if (program === undefined) return { field: "command", message: "command: must name a program, e.g. [\"python3\", \"main.py\"]" };
  const have = new Set(files);
  if (path.posix.isAbsolute(program)) {
    return { field: "command.0", message: `command[0]: "${program}" is an absolute path; name a program on PATH (python3) or a file of the code (./run.sh)` };
  }
  if (program.includes("/")) {
    const file = inCodeFolder(program);
    if (file === null) return { field: "command.0", message: `command[0]: "${program}" points outside the code folder` };
    if (!have.has(file)) return { field: "command.0", message: `command[0]: "${program}" is not a file of the uploaded code` };
    return null;
  }
  if (script !== undefined && looksLikeScript(script)) {
    const file = inCodeFolder(script);
    if (file === null) return { field: "command.1", message: `command[1]: "${script}" points outside the code folder` };
    if (!have.has(file)) return { field: "command.1", message: `command[1]: "${script}" is not a file of the uploaded code` };
  }
  return null;
}

/** A relative file name with an extension, not an option, a URL or a snippet of code. */
function looksLikeScript(arg: string): boolean {
  return !arg.startsWith("-") && !path.posix.isAbsolute(arg) && !/[\s:=$'"`;|&<>()*?]/.test(arg) && /\.[A-Za-z0-9]{1,10}$/.test(arg);
}

function inCodeFolder(name: string): string | null {
  const normal = path.posix.normalize(name);
  return normal.startsWith("../") || normal === ".." ? null : normal.replace(/^\.\//, "");
}
