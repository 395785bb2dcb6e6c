// A folder of code as the .tar.gz a component version is uploaded as (the CLI, the demo, tests).
import { buffer } from "node:stream/consumers";
import * as tar from "tar";

export async function packFolder(dir: string): Promise<Buffer> {
  return buffer(tar.create({ gzip: true, cwd: dir, portable: true }, ["."]) as unknown as NodeJS.ReadableStream);
}
