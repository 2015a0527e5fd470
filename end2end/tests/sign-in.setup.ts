import { test as setup, expect } from '@playwright/test';
import { signedIn, tester } from '../playwright.config';

setup('sign in as the tester', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('User name').fill(tester.name);
  await page.getByLabel('Password').fill(tester.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/automation$/);
  await page.context().storageState({ path: signedIn });
});
