import { nodemailerAdapter } from '@payloadcms/email-nodemailer'
import nodemailer from 'nodemailer'
import type { Transport, TransportOptions } from 'nodemailer'
import { envBool, envInt } from './env'
import { log } from './log'

/**
 * A nodemailer transport that prints each message to the console instead of
 * sending it: the development default when SMTP_HOST is unset, so that a
 * password-reset link can be copied from the terminal.
 */
export const consoleTransport: Transport = {
  name: 'patron-console',
  version: '1',
  send(mail, callback) {
    const { to, subject, text, html } = mail.data
    const body = String(text ?? html ?? '')
      .replace(/<a [^>]*href="([^"]+)"[^>]*>/g, ' $1 ')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
    log.info(`e-mail (console, SMTP_HOST unset) to ${String(to)}: "${String(subject)}"\n  ${body}`)
    callback(null, { envelope: mail.message.getEnvelope(), messageId: `console-${Date.now()}` } as never)
  },
}

/** Payload's nodemailer adapter on SMTP from the environment, or the console in development. */
export function emailAdapter() {
  const defaultFromAddress = process.env.EMAIL_FROM || 'no-reply@patron.local'
  const defaultFromName = process.env.EMAIL_FROM_NAME || 'Patron'
  if (!process.env.SMTP_HOST) {
    return nodemailerAdapter({
      defaultFromAddress,
      defaultFromName,
      skipVerify: true,
      transport: nodemailer.createTransport(consoleTransport as unknown as TransportOptions),
    })
  }
  return nodemailerAdapter({
    defaultFromAddress,
    defaultFromName,
    // Verifying means a network round-trip at boot; a bad SMTP server must not stop the app.
    skipVerify: true,
    transportOptions: {
      host: process.env.SMTP_HOST,
      port: envInt('SMTP_PORT', 587),
      secure: envBool('SMTP_SECURE', false),
      auth: process.env.SMTP_USER ? { user: process.env.SMTP_USER, pass: process.env.SMTP_PASS ?? '' } : undefined,
      // Local catchers and test servers use self-signed certificates.
      tls: { rejectUnauthorized: envBool('SMTP_TLS_REJECT_UNAUTHORIZED', true) },
    },
  })
}
