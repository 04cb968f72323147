import config from '@payload-config'
import { REST_DELETE, REST_GET, REST_OPTIONS, REST_PATCH, REST_POST, REST_PUT } from '@payloadcms/next/routes'
import { withClientIpStripped } from '@/lib/client-ip'
import { withResponseCache } from '@/lib/http/response-cache'

// The same cache layer as the lean API server: anonymous catalogue reads from
// the cache, and writes answered only once what they changed is invalidated.
export const GET = withClientIpStripped(withResponseCache(config, REST_GET(config)))
export const POST = withClientIpStripped(withResponseCache(config, REST_POST(config)))
export const DELETE = withClientIpStripped(withResponseCache(config, REST_DELETE(config)))
export const PATCH = withClientIpStripped(withResponseCache(config, REST_PATCH(config)))
export const PUT = withClientIpStripped(withResponseCache(config, REST_PUT(config)))
export const OPTIONS = withClientIpStripped(REST_OPTIONS(config))
