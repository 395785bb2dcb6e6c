// Keboola's upload flow with the local Files backend, through the route handlers: prepare (a form,
// as kbcstorage sends it), PUT to Jobdeck's own signed upload URL, detail and download; and the
// bad inputs: another size than prepared, a wrong or expired upload URL, a prepare over the limit.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { GET as download } from "@/app/api/v2/storage/files/[id]/download/route";
import { GET as detail } from "@/app/api/v2/storage/files/[id]/route";
import { PUT as upload } from "@/app/api/v2/storage/files/[id]/upload/route";
import { POST as prepare } from "@/app/api/v2/storage/files/prepare/route";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { createTestProject } from "@/test/factories";

const base = "http://jobdeck.test/api/v2/storage/files";

async function prepareForm(secret: string, form: string) {
  const response = await prepare(
    new NextRequest(`${base}/prepare`, { method: "POST", body: form, headers: { "x-storageapi-token": secret, "content-type": "application/x-www-form-urlencoded" } }),
    { params: Promise.resolve({}) },
  );
  return { status: response.status, body: await response.json() };
}

const put = (url: string, body: Buffer, id: string) =>
  upload(new NextRequest(url, { method: "PUT", body: new Uint8Array(body), headers: { "content-type": "application/octet-stream" } }), { params: Promise.resolve({ id }) });

const get = (handler: typeof detail, url: string, secret: string, id: string) =>
  handler(new NextRequest(url, { headers: { "x-storageapi-token": secret } }), { params: Promise.resolve({ id }) });

describe("prepared uploads on the local backend", () => {
  it("prepares from a kbcstorage form, takes the bytes at the signed URL, and serves them", async () => {
    const { manage } = await createTestProject();
    const bytes = Buffer.from("id,name\n1,Ann\n");
    const prepared = await prepareForm(manage.secret, `isPublic=0&isPermanent=0&isEncrypted=1&isSliced=0&notify=0&name=orders.csv&sizeBytes=${bytes.length}&tags%5B%5D=a&tags%5B%5D=b&federationToken=1`);
    expect(prepared.status).toBe(201);
    expect(prepared.body).toMatchObject({ provider: "local", region: "local", name: "orders.csv", tags: ["a", "b"], uploadState: "prepared", uploadParams: { method: "PUT", sizeBytes: bytes.length } });
    const id: string = prepared.body.id;
    const url: string = prepared.body.uploadParams.url;
    expect(url).toMatch(new RegExp(`^http://jobdeck.test/api/v2/storage/files/${id}/upload\\?`));

    // Before the upload: the detail says prepared, the download refuses.
    expect(await (await get(detail, `${base}/${id}`, manage.secret, id)).json()).toMatchObject({ uploadState: "prepared" });
    expect((await get(download, `${base}/${id}/download`, manage.secret, id)).status).toBe(409);

    const answer = await put(url, bytes, id);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ id, uploadState: "uploaded", sizeBytes: bytes.length });
    // One upload per prepared file.
    expect(await (await put(url, bytes, id)).json()).toMatchObject({ code: "fileAlreadyUploaded" });

    const shown = await (await get(detail, `${base}/${id}?federationToken=1`, manage.secret, id)).json();
    expect(shown).toMatchObject({ provider: "local", uploadState: "uploaded", sizeBytes: bytes.length, download: { method: "GET", url: `${base}/${id}/download` } });
    expect(shown).not.toHaveProperty("credentials");
    const served = await get(download, `${base}/${id}/download`, manage.secret, id);
    expect(Buffer.from(await served.arrayBuffer()).toString()).toBe(bytes.toString());
  });

  it("refuses another size than prepared, a wrong or expired URL, and a prepare over the limit; nothing is written", async () => {
    const { manage, project } = await createTestProject();
    const prepared = await prepareForm(manage.secret, "name=data.csv&sizeBytes=10&federationToken=1");
    const id: string = prepared.body.id;
    const url = new URL(prepared.body.uploadParams.url);

    const short = await put(url.toString(), Buffer.from("12345"), id);
    expect(short.status).toBe(422);
    expect(await short.json()).toMatchObject({ code: "fileSizeMismatch" });
    // A body that says nothing of its length, longer than prepared: stopped, not stored.
    const long = await upload(
      new NextRequest(url, { method: "PUT", body: new Blob([Buffer.alloc(64)]).stream(), duplex: "half" } as ConstructorParameters<typeof NextRequest>[1]),
      { params: Promise.resolve({ id }) },
    );
    expect(long.status).toBe(422);

    const forged = new URL(url);
    forged.searchParams.set("signature", "x".repeat(43));
    expect((await put(forged.toString(), Buffer.alloc(10), id)).status).toBe(401);
    const otherFile = new URL(url.toString().replace(`/files/${id}/`, `/files/${BigInt(id) + 1n}/`));
    expect(await (await put(otherFile.toString(), Buffer.alloc(10), String(BigInt(id) + 1n))).json()).toMatchObject({ code: "invalidUploadCredential" });
    const later = new URL(url);
    later.searchParams.set("expires", String(Number(url.searchParams.get("expires")) + 3600));
    expect((await put(later.toString(), Buffer.alloc(10), id)).status).toBe(401);

    const file = await db().file.findUniqueOrThrow({ where: { id: BigInt(id) } });
    expect(file.uploadState).toBe("prepared");
    expect(existsSync(path.join(env.filesDir, file.storagePath))).toBe(false);
    const temp = path.join(env.filesDir, ".tmp");
    expect(existsSync(temp) ? readdirSync(temp) : []).toEqual([]);

    const huge = await prepareForm(manage.secret, `name=huge.csv&sizeBytes=${env.JOBDECK_MAX_FILE_BYTES + 1}`);
    expect(huge).toMatchObject({ status: 413, body: { code: "payloadTooLarge", field: "sizeBytes" } });
    // A sliced file is prepared here too: its manifest comes to the upload URL (storage.int.test.ts imports one).
    const sliced = await prepareForm(manage.secret, "name=s.csv&isSliced=1");
    expect(sliced).toMatchObject({ status: 201, body: { isSliced: true, uploadState: "prepared" } });
    expect(await db().file.count({ where: { projectId: project.id } })).toBe(2);
  });

  it("answers 403 for an upload URL past its time", async () => {
    const { manage } = await createTestProject();
    const { uploadUrl } = await import("@/lib/storage/files/upload-credential");
    const prepared = await prepareForm(manage.secret, "name=late.csv");
    const stale = uploadUrl({ origin: "http://jobdeck.test", fileId: BigInt(prepared.body.id), projectId: (await db().file.findUniqueOrThrow({ where: { id: BigInt(prepared.body.id) } })).projectId, now: new Date(Date.now() - 2 * 3600_000) });
    const answer = await put(stale.url, Buffer.from("x"), prepared.body.id);
    expect(answer.status).toBe(403);
    expect(await answer.json()).toMatchObject({ code: "uploadCredentialExpired" });
  });

  it("downloads a sliced file as its slices in the manifest's order, decompressed, as one file", async () => {
    const { manage } = await createTestProject();
    /** A file prepared and uploaded as kbcstorage does; its id. */
    async function uploaded(name: string, bytes: Buffer, form = "") {
      const prepared = await prepareForm(manage.secret, `name=${name}${form}`);
      expect((await put(prepared.body.uploadParams.url, bytes, prepared.body.id)).status).toBe(200);
      return prepared.body.id as string;
    }
    const slices = [
      // The first slice's last record has no line break: the download adds one, as an import reads it.
      await uploaded("part0.csv", Buffer.from("1,Ann\n2,Bob")),
      await uploaded("part1.csv.gz", gzipSync(Buffer.from("3,Cy\n4,Dan\n"))),
    ];
    const manifest = (ids: string[]) => Buffer.from(JSON.stringify({ entries: ids.map((id) => ({ url: `${base}/${id}/download` })) }));
    const sliced = await uploaded("orders.csv.gz", manifest([slices[1]!, slices[0]!]), "&isSliced=1");

    const served = await get(download, `${base}/${sliced}/download`, manage.secret, sliced);
    expect(served.status).toBe(200);
    expect(await served.text()).toBe("3,Cy\n4,Dan\n1,Ann\n2,Bob\n");
    expect(served.headers.get("content-disposition")).toContain('filename="orders.csv"');
    expect(served.headers.get("content-length")).toBeNull();

    // A manifest naming a file that is not there: a JSON error naming the slice, not a broken download.
    const broken = await uploaded("broken.csv", manifest([slices[0]!, "999999999"]), "&isSliced=1");
    const refused = await get(download, `${base}/${broken}/download`, manage.secret, broken);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: "invalidSlice", error: expect.stringMatching(/^Slice 2 of the sliced file's manifest \(.*\/files\/999999999\/download\) names file 999999999/) });
  });
});
