// The storage thread's entry: SQLite runs here, off the API thread.
import { serveStorageThread } from '../src/store/sqlite/thread-server.js';

serveStorageThread();
