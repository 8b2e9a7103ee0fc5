#!/usr/bin/env node
// Runs the pinned s3rver (installed by build/s3rver.sh) with the multipart operations that R2 and S3 have and
// s3rver 3.7.1 lacks: ListParts, AbortMultipartUpload and ListMultipartUploads; and, as S3 does, UploadPart and
// CompleteMultipartUpload answer NoSuchUpload for an upload that was completed or aborted (s3rver would
// otherwise recreate its folder). Each works on s3rver's own store: <data>/<bucket>/._S3rver_uploads/<id>/
// holds the file "key" and one file per part number, with its MD5 (the ETag) beside it in "<n>.md5".
//
//   node build/s3rver-server.js <install-dir> <data-dir> <address> <port> <bucket>
'use strict';

const path = require('path');
const fs = require('fs/promises');

const [installDir, directory, address, port, bucket] = process.argv.slice(2);
if (!bucket) {
  console.error('usage: s3rver-server.js <install-dir> <data-dir> <address> <port> <bucket>');
  process.exit(2);
}

const modules = path.join(installDir, 'node_modules');
const S3rver = require(path.join(modules, 's3rver'));
const S3Error = require(path.join(modules, 's3rver', 'lib', 'models', 'error'));
const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

function uploadsDir(store, bucketName) {
  return store.getResourcePath(bucketName, undefined, 'uploads');
}

async function readKey(uploadDir) {
  try {
    return (await fs.readFile(path.join(uploadDir, 'key'))).toString();
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw err;
  }
}

function noSuchUpload(uploadId) {
  return new S3Error(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { UploadId: uploadId },
  );
}

async function listParts(uploadDir) {
  const parts = [];
  for (const name of await fs.readdir(uploadDir)) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await fs.stat(path.join(uploadDir, name));
    let md5 = '';
    try {
      md5 = (await fs.readFile(path.join(uploadDir, `${name}.md5`))).toString();
    } catch (err) {
      // A part still being written has no MD5 yet: S3 does not list it either.
      if (err.code === 'ENOENT') continue;
      throw err;
    }
    parts.push({ PartNumber: Number(name), LastModified: stat.mtime.toISOString(), ETag: JSON.stringify(md5), Size: stat.size });
  }
  return parts.sort((a, b) => a.PartNumber - b.PartNumber);
}

function multipartExtension(store) {
  return async function multipart(ctx, next) {
    const segments = ctx.path.split('/').slice(1).map(decodeURIComponent);
    const [bucketName, ...keyParts] = segments;
    const key = keyParts.join('/');
    const query = ctx.query;
    if (!bucketName) return next();

    // ListMultipartUploads: GET /<bucket>?uploads[&prefix=]
    if (ctx.method === 'GET' && key === '' && 'uploads' in query) {
      const root = uploadsDir(store, bucketName);
      const uploads = [];
      let names = [];
      try {
        names = await fs.readdir(root);
      } catch (err) {
        if (err.code !== 'ENOENT') throw err;
      }
      for (const uploadId of names.sort()) {
        const uploadKey = await readKey(path.join(root, uploadId));
        if (uploadKey === null || !uploadKey.startsWith(query.prefix || '')) continue;
        const stat = await fs.stat(path.join(root, uploadId));
        uploads.push({ Key: uploadKey, UploadId: uploadId, Initiated: stat.birthtime.toISOString(), StorageClass: 'STANDARD' });
      }
      ctx.body = {
        ListMultipartUploadsResult: {
          '@': { xmlns: XMLNS },
          Bucket: bucketName,
          KeyMarker: '',
          UploadIdMarker: '',
          Prefix: query.prefix || '',
          MaxUploads: 1000,
          IsTruncated: false,
          Upload: uploads,
        },
      };
      return;
    }

    if (key === '' || !('uploadId' in query)) return next();
    const uploadId = String(query.uploadId);
    const uploadDir = path.join(uploadsDir(store, bucketName), path.basename(uploadId));
    const storedKey = await readKey(uploadDir);
    if (storedKey !== key) throw noSuchUpload(uploadId);

    switch (ctx.method) {
      case 'GET': {
        // ListParts: GET /<bucket>/<key>?uploadId=[&part-number-marker=][&max-parts=]
        const marker = Number(query['part-number-marker'] || 0);
        const maxParts = Math.min(Number(query['max-parts'] || 1000), 1000);
        const after = (await listParts(uploadDir)).filter(part => part.PartNumber > marker);
        const page = after.slice(0, maxParts);
        const truncated = after.length > page.length;
        ctx.body = {
          ListPartsResult: {
            '@': { xmlns: XMLNS },
            Bucket: bucketName,
            Key: key,
            UploadId: uploadId,
            PartNumberMarker: marker,
            NextPartNumberMarker: page.length ? page[page.length - 1].PartNumber : marker,
            MaxParts: maxParts,
            IsTruncated: truncated,
            StorageClass: 'STANDARD',
            Part: page,
          },
        };
        return;
      }
      case 'DELETE':
        // AbortMultipartUpload
        await fs.rm(uploadDir, { recursive: true, force: true });
        ctx.status = 204;
        return;
      default:
        // UploadPart and CompleteMultipartUpload of an upload that exists: s3rver's own handlers.
        return next();
    }
  };
}

async function main() {
  const server = new S3rver({
    directory,
    address,
    port: Number(port),
    silent: true,
    vhostBuckets: false,
    configureBuckets: [{ name: bucket }],
  });
  // Before s3rver's router (the last middleware), after its logging, XML rendering and error handling.
  server.middleware.splice(server.middleware.length - 1, 0, multipartExtension(server.store));
  const { address: boundAddress, port: boundPort } = await server.run();
  console.log('S3rver (with multipart listing and abort) listening on %s:%d', boundAddress, boundPort);
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});
