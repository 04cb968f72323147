import type { NumberField } from 'payload'

/** Money is whole minor units (cents): 1999 is 19.99. Fractions would drift (SPEC §2 Money). */
export function validateMinorUnits(value: unknown, { required = false, allowNegative = false } = {}): string | true {
  if (value === null || value === undefined || value === '') return required ? 'An amount is required.' : true
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return 'Amounts are whole minor units (cents), e.g. 1999 for 19.99.'
  if (!allowNegative && value < 0) return 'The amount cannot be negative.'
  return true
}

/** A money field in minor units. Computed ones are read-only in the panel and never writable through the API. */
export function moneyField(
  name: string,
  opts: { required?: boolean; computed?: boolean; allowNegative?: boolean; description?: string; access?: NumberField['access']; label?: string } = {},
): NumberField {
  return {
    name,
    label: opts.label,
    type: 'number',
    required: opts.required,
    defaultValue: opts.computed ? 0 : undefined,
    validate: (value: unknown) => validateMinorUnits(value, { required: opts.required, allowNegative: opts.allowNegative }),
    access: opts.computed ? { create: () => false, update: () => false, ...opts.access } : opts.access,
    admin: { readOnly: opts.computed, step: 1, description: opts.description ?? 'Minor units (cents): 1999 is 19.99' },
  }
}
