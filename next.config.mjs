import { withPayload } from '@payloadcms/next/withPayload'

/** @type {import('next').NextConfig} */
const nextConfig = {
  // The Redis client is a server-only Node module.
  serverExternalPackages: ['ioredis'],
  poweredByHeader: false,
}

export default withPayload(nextConfig, { devBundleServerPackages: false })
