/* user/tests/reboot.c — power off from the first process: the machine
 * stops and the run ends with status 0, whatever main would return. */
#include <ulib.h>

int main(void)
{
    printf("powering off\n");
    flush();
    if (sys_reboot(LINUX_REBOOT_MAGIC1, 12345, LINUX_REBOOT_CMD_POWER_OFF, 0) != -EINVAL) {
        printf("a bad magic number was accepted\n");
        return 3;
    }
    sys_reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF, 0);
    printf("still running after power-off\n");
    return 7;
}
