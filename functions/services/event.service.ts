export { listEvents } from '../store/event.store.js';
