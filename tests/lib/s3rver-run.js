// Runs @20minutes/s3rver 5 for the integration tests (tests/lib/s3server.sh
// starts it; nothing else should). Environment:
//   S3RVER_DIR   where install-s3rver.sh put it
//   S3_PORT, S3_DIR, S3_BUCKETS (comma-separated, made at start)
//   S3_TLS_KEY, S3_TLS_CERT  PEM files: serve https, not http
//   S3_ACCESS_LOG  a file that gets "HOST METHOD URL STATUS" per request,
//                  so a test can see how the client addressed the bucket
// It listens on 127.0.0.1 only and prints "s3rver ready" once it does.
// Virtual-host names are BUCKET.s3.localhost (libcurl resolves *.localhost
// to the loopback itself; no /etc/hosts entry is needed).
'use strict'
const fs = require('node:fs')
const top = `${process.env.S3RVER_DIR}/node_modules/@20minutes/s3rver`
const S3rver = require(top)
const v4 = require(`${top}/lib/signature/v4`)

const buckets = process.env.S3_BUCKETS.split(',')

// s3rver 5.0.0 checks a virtual-host request's SigV4 signature against
// "/BUCKET/KEY" (lib/middleware/authentication.js puts the bucket in front
// of the path, which is SigV2's CanonicalizedResource rule), while SigV4's
// canonical URI is the path as sent, "/KEY": every virtual-host request of a
// correct client fails 403 SignatureDoesNotMatch. Corrected here, for the
// tests' own buckets addressed as BUCKET.s3.localhost only, by giving the
// signature check the path the client signed; path-style requests and the
// installed package are untouched.
const stringToSign = v4.getStringToSign
v4.getStringToSign = (request, signature) => {
  const host = String(request.headers.host || '').replace(/:\d+$/, '')
  const bucket = buckets.find((b) => host === `${b}.s3.localhost`)
  if (bucket !== undefined && (request.uri === `/${bucket}` || request.uri.startsWith(`/${bucket}/`))) {
    request = { ...request, uri: request.uri.slice(bucket.length + 1) || '/' }
  }
  return stringToSign(request, signature)
}

const options = {
  port: Number(process.env.S3_PORT),
  address: '127.0.0.1',
  directory: process.env.S3_DIR,
  silent: true,
  // BUCKET.s3.localhost is a virtual-host request for BUCKET; s3.localhost a path-style one.
  serviceEndpoint: 'localhost',
  configureBuckets: buckets.map((name) => ({ name })),
}
if (process.env.S3_TLS_KEY) {
  options.key = fs.readFileSync(process.env.S3_TLS_KEY)
  options.cert = fs.readFileSync(process.env.S3_TLS_CERT)
}
const server = new S3rver(options)
if (process.env.S3_ACCESS_LOG) {
  const log = process.env.S3_ACCESS_LOG
  // First of all middleware, so it sees the request before s3rver rewrites its path.
  server.middleware.unshift(async (ctx, next) => {
    const line = `${ctx.get('host')} ${ctx.method} ${ctx.url}`
    let status = 500
    try {
      await next()
      status = ctx.status
    } catch (e) {
      status = e.status || 500
      throw e
    } finally {
      fs.appendFileSync(log, `${line} ${status}\n`)
    }
  })
}
server.run().then(
  () => console.log('s3rver ready'),
  (e) => {
    console.error(e)
    process.exit(1)
  }
)
