// Every route plugin, registered in this order by the app.
import getFeature from './api/feature/get-feature.js';
import health from './health.js';

export const routes = [health, getFeature];
