import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { postgresAdapter } from '@payloadcms/db-postgres'
import { lexicalEditor } from '@payloadcms/richtext-lexical'
import { buildConfig } from 'payload'
import sharp from 'sharp'
import { Users } from './collections/staff/Users'
import { Branding } from './collections/globals/Branding'
import { Settings } from './collections/globals/Settings'
import { health } from './endpoints/health'
import { addErrorCodes } from './hooks/addErrorCodes'
import { migrations } from './migrations'
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
  collections: [Users],
  globals: [Settings, Branding],
  endpoints: [health],
  hooks: { afterError: [addErrorCodes] },
  editor: lexicalEditor(),
  db: postgresAdapter({
    pool: {
      connectionString: process.env.DATABASE_URL,
      max: Number(process.env.DATABASE_POOL_MAX || 20),
      connectionTimeoutMillis: 5_000,
    },
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
