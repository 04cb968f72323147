'use client'
import { Button, toast, useConfig, useDocumentInfo, useFormFields } from '@payloadcms/ui'
import { useState } from 'react'
import { allowedNext, isOrderStatus, type OrderStatus } from '../domain/orders'

const LABELS: Record<OrderStatus, string> = {
  pending: 'Back to pending',
  confirmed: 'Confirm',
  dispatched: 'Dispatch',
  delivered: 'Mark delivered',
  completed: 'Complete',
  cancelled: 'Cancel order',
}

/**
 * The order's workflow buttons in the admin panel. They call the same
 * endpoint as the API (`POST /api/orders/:id/transition`), so stock, credit,
 * points, commission and refunds follow the one order service. Dispatch sends
 * the tracking number typed in the sidebar.
 */
export function OrderTransitions() {
  const { id } = useDocumentInfo()
  const status = useFormFields(([fields]) => fields.status?.value)
  const trackingNumber = useFormFields(([fields]) => fields.trackingNumber?.value)
  const { config } = useConfig()
  const [note, setNote] = useState('')
  const [busy, setBusy] = useState(false)
  if (!id || !isOrderStatus(status)) return null
  const next = allowedNext(status)

  async function move(to: OrderStatus) {
    setBusy(true)
    try {
      const res = await fetch(`${config.serverURL}${config.routes.api}/orders/${id}/transition`, {
        method: 'POST',
        credentials: 'include',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ status: to, note: note || undefined, trackingNumber: typeof trackingNumber === 'string' && trackingNumber ? trackingNumber : undefined }),
      })
      const body = (await res.json().catch(() => ({}))) as { errors?: Array<{ message?: string }> }
      if (!res.ok) {
        toast.error(body.errors?.[0]?.message ?? `The order could not move (${res.status}).`)
        return
      }
      toast.success(`Order ${to}.`)
      // The edit view is rendered on the server: reload to show the new status, history and totals.
      window.location.reload()
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="field-type order-transitions" style={{ marginBottom: 'var(--base)' }}>
      <label className="field-label">Workflow</label>
      {next.length === 0 ? (
        <p style={{ margin: 0 }}>This order is {status}; it cannot move any further.</p>
      ) : (
        <>
          <input
            aria-label="Note for the history"
            placeholder="Note for the history (optional)"
            value={note}
            onChange={(e) => setNote(e.target.value)}
            style={{ width: '100%', marginBottom: 'calc(var(--base) / 2)' }}
            maxLength={1000}
          />
          <div style={{ display: 'flex', flexWrap: 'wrap', gap: 'calc(var(--base) / 2)' }}>
            {next.map((to) => (
              <Button key={to} buttonStyle={to === 'cancelled' ? 'secondary' : 'primary'} size="small" disabled={busy} onClick={() => void move(to)}>
                {LABELS[to]}
              </Button>
            ))}
          </div>
        </>
      )}
    </div>
  )
}
