import assert from 'node:assert/strict'
import { it } from 'node:test'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { createProgramme, setProgrammePractices } from '../programmes/store.ts'
import { createAccount, PageClient, testApp, textOf } from '../web/testing.ts'
import { listAuditEvents } from './audit.ts'
import { verifyPassword } from './passwords.ts'
import { createOrganisation, findUserByEmail, loadCurrentUser } from './store.ts'

const DAY = 86_400_000

async function setUp(db: Db) {
  let now = new Date('2026-12-01T09:00:00.000Z')
  const council = await createOrganisation(db, {
    name: 'Cotswold District Council',
    kind: 'council',
    parentId: null,
    odsCode: null,
    postcode: null,
  })
  const practice = await createOrganisation(db, {
    name: 'Cirencester Avenue Surgery',
    kind: 'practice',
    parentId: null,
    odsCode: 'Z70001',
    postcode: null,
  })
  const elsewhere = await createOrganisation(db, {
    name: 'Another Council',
    kind: 'council',
    parentId: null,
    odsCode: null,
    postcode: null,
  })
  const programmeId = await createProgramme(db, {
    name: 'Cotswold social prescribing',
    ownerOrganisationId: council,
  })
  await setProgrammePractices(db, programmeId, [practice])
  const manager = await createAccount(db, 'programme_manager', {
    organisationId: council,
    name: 'Oliver Hart',
  })
  const colleague = await createAccount(db, 'provider', { organisationId: council, name: 'Pat Colleague' })
  const outsider = await createAccount(db, 'link_worker', { organisationId: elsewhere, name: 'Sam Outsider' })
  const app = await testApp(db, {}, () => now)
  const as = (account: { userId: string }) => new PageClient(app).signInAs(account.userId)
  return {
    app,
    as,
    council,
    practice,
    elsewhere,
    manager,
    colleague,
    outsider,
    later: (ms: number) => {
      now = new Date(now.getTime() + ms)
    },
  }
}

/** The link in the invitation the outbox holds for this address. */
async function invitationLink(db: Db, email: string): Promise<string> {
  const rows = await db
    .selectFrom('outbox_messages')
    .select(['link', 'subject', 'body', 'status'])
    .where('address', '=', email)
    .orderBy('id', 'desc')
    .execute()
  const message = rows.find((row) => row.subject === 'You are invited to Kith')
  assert.ok(message?.link, `no invitation to ${email}`)
  assert.equal(message.status, 'pending')
  return message.link
}

const errorsOn = (html: string) =>
  [...html.matchAll(/<a href="#([^"]+)"[^>]*>([^<]+)<\/a>/g)]
    .filter((m) => html.indexOf('nhsuk-error-summary') < (m.index ?? 0))
    .map((m) => [m[1], m[2]?.trim().replace(/&#39;|&#x27;/g, "'")])

describeEachDatabase('a programme manager’s team', (database) => {
  it('invites a link worker by email, who accepts once, setting their own name and password', async () => {
    const { db } = database()
    const t = await setUp(db)
    const manager = await t.as(t.manager)
    const sent = await manager.post('/team/invitations', {
      email: 'New.Worker@Cotswold.example',
      organisationId: t.council,
      role: 'link_worker',
      title: 'Community link worker',
    })
    assert.equal(sent.statusCode, 303, sent.body)
    const team = textOf((await manager.get('/team')).body)
    assert.match(
      team,
      /new\.worker@cotswold\.example Community link worker Cotswold District Council Waiting, until 8 December 2026/,
    )

    const link = await invitationLink(db, 'new.worker@cotswold.example')
    assert.match(link, /^\/invitations\/[A-Za-z0-9_-]{43}$/)
    const token = link.split('/')[2] as string
    // Only the token's digest is stored.
    const stored = await db.selectFrom('invitations').selectAll().executeTakeFirstOrThrow()
    assert.notEqual(stored.token_hash, token)
    assert.equal(JSON.stringify(stored).includes(token), false)
    // The account cannot sign in before the invitation is accepted.
    const before = await findUserByEmail(db, 'new.worker@cotswold.example')
    assert.equal(before?.passwordHash, null)
    assert.deepEqual((await loadCurrentUser(db, before!.id))?.memberships, [])

    const person = new PageClient(t.app)
    const page = await person.get(link)
    assert.equal(page.statusCode, 200)
    assert.match(
      textOf(page.body),
      /Cotswold District Council invites you to join Kith as a community link worker\. Your account’s email address is new\.worker@cotswold\.example/,
    )
    const short = await person.post(link, { name: '', newPassword: 'short', confirmPassword: 'other' })
    assert.equal(short.statusCode, 400)
    assert.deepEqual(errorsOn(short.body), [
      ['name', 'Enter your full name'],
      ['newPassword', 'Enter a password of at least 12 characters'],
      ['confirmPassword', 'The passwords do not match'],
    ])
    const accepted = await person.post(link, {
      name: 'Emma Stroud',
      newPassword: 'four unrelated words here',
      confirmPassword: 'four unrelated words here',
    })
    assert.equal(accepted.statusCode, 303, accepted.body)
    assert.equal(accepted.headers.location, '/?welcome=1')
    // Signed in as themselves, with the role and the scheme's title.
    const home = await person.get('/account')
    assert.match(
      textOf(home.body),
      /Name Emma Stroud Email address new\.worker@cotswold\.example Your roles Community link worker \(Link worker\) at Cotswold District Council/,
    )
    const user = await loadCurrentUser(db, before!.id)
    assert.deepEqual(
      user?.memberships.map((m) => [m.organisationId, m.role, m.title]),
      [[t.council, 'link_worker', 'Community link worker']],
    )
    const account = await findUserByEmail(db, 'new.worker@cotswold.example')
    assert.equal(await verifyPassword('four unrelated words here', account?.passwordHash), true)

    // Used once: the link is refused from then on, and changes nothing.
    const again = await new PageClient(t.app).post(link, {
      name: 'Someone Else',
      newPassword: 'another long password',
      confirmPassword: 'another long password',
    })
    assert.equal(again.statusCode, 410)
    assert.match(textOf(again.body), /This invitation has already been used/)
    assert.equal((await findUserByEmail(db, 'new.worker@cotswold.example'))?.name, 'Emma Stroud')

    const actions = (await listAuditEvents(db, { recordId: before!.id })).map((e) => e.action).sort()
    assert.deepEqual(actions, ['invitation.accept', 'invitation.create'])
    await t.app.close()
  })

  it('refuses an expired, withdrawn or unknown invitation link', async () => {
    const { db } = database()
    const t = await setUp(db)
    const manager = await t.as(t.manager)
    await manager.post('/team/invitations', {
      email: 'late@cotswold.example',
      organisationId: t.council,
      role: 'provider',
    })
    const link = await invitationLink(db, 'late@cotswold.example')
    t.later(7 * DAY + 1)
    const expired = await new PageClient(t.app).post(link, {
      name: 'Late Person',
      newPassword: 'a long enough password',
      confirmPassword: 'a long enough password',
    })
    assert.equal(expired.statusCode, 410)
    assert.match(textOf(expired.body), /Error: this invitation cannot be used.*This invitation has expired/)
    assert.equal((await findUserByEmail(db, 'late@cotswold.example'))?.passwordHash, null)

    // Expired, it may be sent again; a waiting one may not, until withdrawn.
    const resent = await manager.post('/team/invitations', {
      email: 'late@cotswold.example',
      organisationId: t.council,
      role: 'provider',
    })
    assert.equal(resent.statusCode, 303)
    const twice = await manager.post('/team/invitations', {
      email: 'late@cotswold.example',
      organisationId: t.council,
      role: 'provider',
    })
    assert.deepEqual(errorsOn(twice.body), [
      ['email', 'This email address already has an invitation waiting: withdraw it first to send another'],
    ])
    const waiting = await db
      .selectFrom('invitations')
      .select('id')
      .where('accepted_at', 'is', null)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow()
    const newLink = await invitationLink(db, 'late@cotswold.example')
    assert.equal((await manager.post(`/team/invitations/${waiting.id}/withdraw`, {})).statusCode, 303)
    const withdrawn = await new PageClient(t.app).get(newLink)
    assert.equal(withdrawn.statusCode, 410)
    assert.match(textOf(withdrawn.body), /This invitation has been withdrawn/)

    const unknown = await new PageClient(t.app).get('/invitations/not-a-real-token-at-all-0000000000')
    assert.equal(unknown.statusCode, 404)
    await t.app.close()
  })

  it('refuses bad invitations: address, role, place, duplicates; gives an existing account the role at once', async () => {
    const { db } = database()
    const t = await setUp(db)
    const manager = await t.as(t.manager)
    const bad = await manager.post('/team/invitations', {
      email: 'not an email',
      organisationId: t.elsewhere,
      role: 'administrator',
    })
    assert.equal(bad.statusCode, 400)
    assert.deepEqual(errorsOn(bad.body), [
      ['organisationId', 'Select the organisation they will work in'],
      ['email', 'Enter an email address in the correct format, like name@example.nhs.uk'],
      ['role', 'Select their role'],
    ])
    // At a practice the programme covers, referrers only (a GP).
    const practiceWorker = await manager.post('/team/invitations', {
      email: 'gp@cirencester.example',
      organisationId: t.practice,
      role: 'link_worker',
    })
    assert.deepEqual(errorsOn(practiceWorker.body), [
      ['role', 'At a practice your programme covers, you can invite referrers only'],
    ])
    const gp = await manager.post('/team/invitations', {
      email: 'gp@cirencester.example',
      organisationId: t.practice,
      role: 'referrer',
    })
    assert.equal(gp.statusCode, 303)
    assert.match(await invitationLink(db, 'gp@cirencester.example'), /^\/invitations\//)

    // A colleague already with the role: a duplicate, refused.
    const duplicate = await manager.post('/team/invitations', {
      email: t.colleague.email,
      organisationId: t.council,
      role: 'provider',
    })
    assert.deepEqual(errorsOn(duplicate.body), [
      ['email', 'Pat Colleague already has the provider role here'],
    ])
    // Someone with a Kith account elsewhere is given the role in the manager's organisation at once.
    const given = await manager.post('/team/invitations', {
      email: t.outsider.email,
      organisationId: t.council,
      role: 'link_worker',
      title: 'Navigator',
    })
    assert.equal(given.headers.location, '/team?done=given')
    assert.deepEqual(
      (await loadCurrentUser(db, t.outsider.userId))?.memberships.map((m) => [
        m.organisationName,
        m.role,
        m.title,
      ]),
      [
        ['Another Council', 'link_worker', null],
        ['Cotswold District Council', 'link_worker', 'Navigator'],
      ],
    )
    assert.equal(
      await db
        .selectFrom('invitations')
        .select('id')
        .where('user_id', '=', t.outsider.userId)
        .executeTakeFirst(),
      undefined,
    )
    await t.app.close()
  })

  it('changes and removes the roles of the manager’s own organisation only', async () => {
    const { db } = database()
    const t = await setUp(db)
    const manager = await t.as(t.manager)
    const membership = (await loadCurrentUser(db, t.colleague.userId))?.memberships[0]
    assert.ok(membership)
    const page = await manager.get(`/team/members/${membership.id}`)
    assert.equal(page.statusCode, 200)
    const changed = await manager.post(`/team/members/${membership.id}`, {
      role: 'link_worker',
      title: 'Health facilitator',
    })
    assert.equal(changed.statusCode, 303)
    assert.deepEqual(
      (await loadCurrentUser(db, t.colleague.userId))?.memberships.map((m) => [m.role, m.title]),
      [['link_worker', 'Health facilitator']],
    )
    const badRole = await manager.post(`/team/members/${membership.id}`, { role: 'administrator' })
    assert.deepEqual(errorsOn(badRole.body), [['role', 'Select their role']])

    // Not another organisation's member, nor the manager's own role.
    const outsiders = (await loadCurrentUser(db, t.outsider.userId))?.memberships[0]
    assert.equal((await manager.get(`/team/members/${outsiders?.id}`)).statusCode, 404)
    assert.equal((await manager.post(`/team/members/${outsiders?.id}/remove`, {})).statusCode, 404)
    const own = (await loadCurrentUser(db, t.manager.userId))?.memberships[0]
    assert.equal((await manager.post(`/team/members/${own?.id}/remove`, {})).statusCode, 404)
    // Only managers reach the team pages.
    const colleague = await t.as(t.outsider)
    assert.equal((await colleague.get('/team')).statusCode, 403)

    const removed = await manager.post(`/team/members/${membership.id}/remove`, {})
    assert.equal(removed.statusCode, 303)
    assert.deepEqual((await loadCurrentUser(db, t.colleague.userId))?.memberships, [])
    const actions = (await listAuditEvents(db, { recordId: t.colleague.userId })).map((e) => e.action).sort()
    assert.deepEqual(actions, ['membership.change', 'membership.remove'])
    await t.app.close()
  })
})
