import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { postgresAdapter } from '@payloadcms/db-postgres'
import { lexicalEditor } from '@payloadcms/richtext-lexical'
import { buildConfig } from 'payload'
import sharp from 'sharp'
import { Carts } from './collections/commerce/Carts'
import { Categories } from './collections/commerce/Categories'
import { LowStockAlerts } from './collections/commerce/LowStockAlerts'
import { Orders } from './collections/commerce/Orders'
import { OrderStatusChanges } from './collections/commerce/OrderStatusChanges'
import { Products } from './collections/commerce/Products'
import { ResellerClients } from './collections/commerce/ResellerClients'
import { Resellers } from './collections/commerce/Resellers'
import { Reviews } from './collections/commerce/Reviews'
import { StockMovements } from './collections/commerce/StockMovements'
import { StripeEvents } from './collections/commerce/StripeEvents'
import { Transactions } from './collections/commerce/Transactions'
import { Media } from './collections/content/Media'
import { Branding } from './collections/globals/Branding'
import { Loyalty } from './collections/globals/Loyalty'
import { Settings } from './collections/globals/Settings'
import { Members } from './collections/loyalty/Members'
import { PointTransactions } from './collections/loyalty/PointTransactions'
import { Redemptions } from './collections/loyalty/Redemptions'
import { Vouchers } from './collections/loyalty/Vouchers'
import { Users } from './collections/staff/Users'
import { stripeWebhook } from './endpoints/commerce/stripeWebhook'
import { health } from './endpoints/health'
import { addErrorCodes } from './hooks/addErrorCodes'
import { rememberReads } from './src/lib/db/read-memo'
import { migrations } from './migrations'
import { jobs } from './src/jobs'
import { emailAdapter } from './src/lib/mail'

const dirname = path.dirname(fileURLToPath(import.meta.url))

// Assembles the app; every rule lives in collections/, hooks/, endpoints/ and src/.
export default buildConfig({
  serverURL: process.env.PUBLIC_URL || '',
  secret: process.env.PAYLOAD_SECRET || '',
  admin: {
    user: Users.slug,
    meta: { titleSuffix: ' · Patron' },
    importMap: { baseDir: dirname },
  },
  collections: [
    Users,
    Members,
    PointTransactions,
    Vouchers,
    Redemptions,
    Categories,
    Products,
    Reviews,
    StockMovements,
    LowStockAlerts,
    Media,
    Carts,
    Orders,
    OrderStatusChanges,
    Resellers,
    ResellerClients,
    Transactions,
    StripeEvents,
  ],
  globals: [Settings, Branding, Loyalty],
  upload: { limits: { fileSize: Number(process.env.MAX_UPLOAD_BYTES || 5 * 1024 * 1024) } },
  endpoints: [health, stripeWebhook],
  jobs,
  hooks: { afterError: [addErrorCodes] },
  // Accounts, rules and settings are read on nearly every request: remembered in
  // process until a committed change to them is seen (src/lib/db/read-memo.ts).
  onInit: (payload) => rememberReads(payload),
  editor: lexicalEditor(),
  db: postgresAdapter({
    pool: {
      connectionString: process.env.DATABASE_URL,
      max: Number(process.env.DATABASE_POOL_MAX || 20),
      // How long a request may wait for a free connection under load before it fails (503).
      connectionTimeoutMillis: Number(process.env.DATABASE_CONNECT_TIMEOUT_MS || 15_000),
    },
    // Optional read replicas (comma-separated URLs): Payload sends its reads there, and
    // writes plus our services' transactional SQL to the primary.
    ...(process.env.DATABASE_READ_REPLICAS ? { readReplicas: process.env.DATABASE_READ_REPLICAS.split(',').map((u) => u.trim()).filter(Boolean) } : {}),
    // The schema changes only through committed migrations, in every environment.
    push: false,
    migrationDir: path.resolve(dirname, 'migrations'),
    prodMigrations: migrations,
  }),
  email: emailAdapter(),
  sharp,
  graphQL: { schemaOutputFile: path.resolve(dirname, 'schema.graphql') },
  typescript: { outputFile: path.resolve(dirname, 'payload-types.ts') },
  telemetry: false,
  // The caller's mistakes (4xx) are worth a line, not a stack trace. Payload types
  // the keys as its own error names, but looks up any error's name (our PatronError).
  loggingLevels: {
    AuthenticationError: 'info',
    Forbidden: 'info',
    LockedAuth: 'info',
    NotFound: 'info',
    ValidationError: 'info',
    UnverifiedEmail: 'info',
    ...({ PatronError: 'info' } as Record<string, 'info'>),
  },
  logger: { options: { level: process.env.LOG_LEVEL || 'info' } },
  cors: process.env.CORS_ORIGINS ? process.env.CORS_ORIGINS.split(',') : [],
  csrf: process.env.CSRF_ORIGINS ? process.env.CSRF_ORIGINS.split(',') : [],
})
