import type { Route } from '../route.js';
import { changeOrderRoutes } from './change-orders.routes.js';
import { customerRoutes } from './customers.routes.js';
import { estimateRoutes } from './estimates.routes.js';
import { eventRoutes } from './events.routes.js';
import { expenditureRoutes } from './expenditures.routes.js';
import { invoiceRoutes } from './invoices.routes.js';
import { jobRoutes } from './jobs.routes.js';
import { metaRoutes } from './meta.routes.js';
import { milestoneRoutes } from './milestones.routes.js';
import { partialInvoiceRoutes } from './partial-invoices.routes.js';
import { profileRoutes } from './profiles.routes.js';
import { reportRoutes } from './reports.routes.js';
import { settingsRoutes } from './settings.routes.js';

/**
 * Every route, by the group whose Lambda serves it (`functions/api/<group>.handler.ts`).
 */
export const routeGroups = {
  meta: metaRoutes,
  customers: customerRoutes,
  jobs: jobRoutes,
  milestones: milestoneRoutes,
  expenditures: expenditureRoutes,
  // Keyed as its handler file is named: functions/api/change-orders.handler.ts.
  'change-orders': changeOrderRoutes,
  estimates: estimateRoutes,
  invoices: invoiceRoutes,
  'partial-invoices': partialInvoiceRoutes,
  profiles: profileRoutes,
  settings: settingsRoutes,
  events: eventRoutes,
  reports: reportRoutes,
} satisfies Record<string, Route[]>;

export type RouteGroup = keyof typeof routeGroups;

export function allRoutes(): Route[] {
  return Object.values(routeGroups).flat();
}
