import config from '@payload-config'
import { REST_DELETE, REST_GET, REST_OPTIONS, REST_PATCH, REST_POST, REST_PUT } from '@payloadcms/next/routes'
import { withClientIpStripped } from '@/lib/client-ip'

export const GET = withClientIpStripped(REST_GET(config))
export const POST = withClientIpStripped(REST_POST(config))
export const DELETE = withClientIpStripped(REST_DELETE(config))
export const PATCH = withClientIpStripped(REST_PATCH(config))
export const PUT = withClientIpStripped(REST_PUT(config))
export const OPTIONS = withClientIpStripped(REST_OPTIONS(config))
