import assert from 'node:assert/strict'
import { it } from 'node:test'
import { listAuditEvents } from '../access/audit.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { PageClient, testApp } from './testing.ts'

describeEachDatabase('behind a reverse proxy', (database) => {
  it('records the person’s address from X-Forwarded-For only when the proxy is trusted', async () => {
    const { db } = database()
    const signIn = async (trustProxy: string[] | undefined) => {
      const app = await testApp(db, trustProxy ? { trustProxy } : {})
      await new PageClient(app).post(
        '/sign-in',
        { email: 'nobody@kith.test', password: 'wrong' },
        { headers: { 'x-forwarded-for': '203.0.113.7' } },
      )
      await app.close()
    }
    await signIn(undefined)
    await signIn(['127.0.0.1'])
    const events = await listAuditEvents(db, { action: 'sign-in-failed' })
    const addresses = events.map((e) => e.ip).sort()
    assert.ok(addresses.includes('203.0.113.7'), JSON.stringify(addresses))
    assert.ok(addresses.includes('127.0.0.1'), JSON.stringify(addresses))
  })
})
