// Lists are changed only by their owner (or an admin). Not a route: autoload skips files named `_*`.
// The rule lives in the list service; this name stays for the routes that import it.
export { ownedList } from '../../../services/list/lists.js';
