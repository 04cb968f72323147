import config from '@payload-config'
import { GRAPHQL_POST, REST_OPTIONS } from '@payloadcms/next/routes'
import { withClientIpStripped } from '@/lib/client-ip'

export const POST = withClientIpStripped(GRAPHQL_POST(config))
export const OPTIONS = withClientIpStripped(REST_OPTIONS(config))
