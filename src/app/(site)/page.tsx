import { redirect } from 'next/navigation'

// Patron has no storefront of its own: the root sends people to the admin panel.
export default function Home() {
  redirect('/admin')
}
