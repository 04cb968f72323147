/** The demo password for every demo account; development only (the seed refuses production). */
export const demoPassword = () => process.env.DEMO_PASSWORD || 'patron-demo'
