import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { resumeSession } from './session/session';
import './styles/index.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
// A reload keeps the session: the refresh cookie renews it, or the sign-in screen shows.
void resumeSession();
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
