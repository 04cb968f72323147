import crypto from 'node:crypto'
import readline from 'node:readline/promises'
import { loadPayload, prepareEnvironment, runScript, shutdown } from './lib/boot'

/**
 * npm run create-admin [-- --email a@b.c [--password …]]
 * Creates (or promotes) a super-admin. Asks for what it is not given when run
 * in a terminal; otherwise generates a strong password and prints it once.
 * Never uses a built-in password.
 */
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}

runScript(async () => {
  let email = arg('email') ?? process.env.ADMIN_EMAIL
  let password = arg('password') ?? process.env.ADMIN_PASSWORD
  let generated = false
  if ((!email || !password) && process.stdin.isTTY) {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout })
    email ||= (await rl.question('E-mail of the super-admin: ')).trim()
    password ||= (await rl.question('Password (empty: generate one): ')).trim()
    rl.close()
  }
  if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) throw new Error('a valid --email is required')
  if (!password) {
    password = crypto.randomBytes(18).toString('base64url')
    generated = true
  }
  if (password.length < 12) throw new Error('use a password of at least 12 characters')

  const db = await prepareEnvironment({ production: process.env.NODE_ENV === 'production' })
  const payload = await loadPayload()
  try {
    const found = await payload.find({ collection: 'users', where: { email: { equals: email } }, limit: 1 })
    if (found.docs[0]) {
      await payload.update({ collection: 'users', id: found.docs[0].id, data: { role: 'super-admin', password } })
      console.log(`${email} is now a super-admin with the new password.`)
    } else {
      await payload.create({ collection: 'users', data: { email, password, role: 'super-admin', name: 'Super admin' } })
      console.log(`created super-admin ${email}`)
    }
    if (generated) console.log(`password (shown once): ${password}`)
  } finally {
    await shutdown(payload, db)
  }
})
