// Starts s3rver (a real S3-protocol server, for trying the S3 Files backend and Keboola's client
// suite without AWS): `npx tsx scripts/s3-server.ts [port]`. Prints the JOBDECK_S3_* to use; Ctrl-C stops it.
import { startS3Server } from "@/test/s3-server";

const server = await startS3Server({ port: Number(process.argv[2] ?? 0) || undefined });
for (const [key, value] of Object.entries(server.env)) console.log(`${key}=${value}`);
console.log(`# boto3 / kbcstorage: AWS_ENDPOINT_URL_S3=${server.endpoint}`);
const stop = () => void server.stop().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
