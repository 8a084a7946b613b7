// Every resource type Kith serves through FHIR, in the order the CapabilityStatement lists them.

import type { ResourceHandler } from '../handler.ts'
import { appointmentHandler, carePlanHandler, goalHandler } from './casework.ts'
import {
  healthcareServiceHandler,
  organizationHandler,
  practitionerHandler,
  practitionerRoleHandler,
} from './directory.ts'
import { observationHandler, questionnaireResponseHandler } from './outcomes.ts'
import { consentHandler, patientHandler } from './people.ts'
import { serviceRequestHandler, taskHandler } from './referrals.ts'

export const HANDLERS: readonly ResourceHandler[] = [
  patientHandler,
  organizationHandler,
  practitionerHandler,
  practitionerRoleHandler,
  healthcareServiceHandler,
  serviceRequestHandler,
  taskHandler,
  carePlanHandler,
  goalHandler,
  appointmentHandler,
  consentHandler,
  questionnaireResponseHandler,
  observationHandler,
] as unknown as readonly ResourceHandler[]

export const handlerFor = (type: string): ResourceHandler | undefined => HANDLERS.find((h) => h.type === type)
