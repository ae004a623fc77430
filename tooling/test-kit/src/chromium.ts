/**
 * Launch options for Debian's Chromium (`apt-get install chromium`) through playwright-core:
 * these machines cannot download a browser build, and without the background-networking flags
 * Chromium keeps trying hosts the closed network refuses.
 */
export const CHROMIUM_LAUNCH_OPTIONS: { executablePath: string; args: string[] } = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};
